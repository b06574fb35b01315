// First: zod must be set up for the CSP before any schema is built (see zodCsp.ts).
import './console/zodCsp';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getDesktopApi } from './getDesktopApi';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App
      desktopApi={getDesktopApi()}
      location={window.location.protocol.startsWith('http') ? window.location : undefined}
    />
  </StrictMode>,
);
