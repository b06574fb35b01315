import { createContext, useContext } from 'react';
import type { BroadcastScope, LabelsOf } from '../store/broadcastSlice';
import type { TerminalController } from '../terminalController';
import type { BroadcastRouter } from './broadcastRouter';
import type { WorkspaceConnection } from './workspaceConnection';

/**
 * The parts of a workspace that live outside React and the store: the
 * console link, the broadcast router and each pane's terminal controller.
 */
export interface WorkspaceRuntime {
  connection: WorkspaceConnection;
  router: BroadcastRouter;
  /** Pane id → its terminal, while mounted (commands such as find and focus reach panes through it). */
  controllers: Map<string, TerminalController>;
  labelsOf: LabelsOf;
  /** Arms broadcast for a scope, after a step-up when the broker's rule asks for one; says why when it cannot. */
  arm(scope: BroadcastScope): Promise<void>;
  /** Adds a pane to the broadcast (or takes it out), turning the current targets into chosen panes. */
  togglePane(paneId: string): Promise<void>;
  /** Ends the pane's shell and removes the pane (its tab too when it was the last). */
  closePane(paneId: string): void;
  /** Ends the shells of every pane of the tab and removes it. */
  closeTab(tabId: string): void;
}

export const WorkspaceRuntimeContext = createContext<WorkspaceRuntime | undefined>(undefined);

export function useWorkspaceRuntime(): WorkspaceRuntime {
  const runtime = useContext(WorkspaceRuntimeContext);
  if (!runtime) throw new Error('useWorkspaceRuntime needs a WorkspaceRuntimeContext.Provider above it');
  return runtime;
}
