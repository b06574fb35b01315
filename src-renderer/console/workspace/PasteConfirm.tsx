import type { PasteQuestion } from './broadcastRouter';
import { Modal } from './Modal';

/** Asked once before a multi-line paste goes to several sessions. */
export function PasteConfirm({ question, onAnswer }: { question: PasteQuestion; onAnswer(send: boolean): void }) {
  const { lines, bytes, targets, preview } = question;
  return (
    <Modal title="Paste into several terminals?" onClose={() => onAnswer(false)}>
      <p className="card__lead">
        {lines} lines ({bytes.toLocaleString()} bytes) will be typed into {targets.length} terminals at once:{' '}
        <strong>{targets.join(', ')}</strong>.
      </p>
      <pre className="paste-confirm__preview" aria-label="First lines of the paste">
        {preview}
        {lines > preview.split('\n').length ? '\n…' : ''}
      </pre>
      <div className="card__row">
        <button type="button" onClick={() => onAnswer(true)}>
          Paste into {targets.length} terminals
        </button>
        <button type="button" className="button--quiet" onClick={() => onAnswer(false)}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
