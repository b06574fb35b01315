import { useCallback, useEffect, useState } from 'react';
import { systemTimers, type LinkState } from '../../../common/client';
import type { Disposable } from '../../../common/disposable';
import { call as brokerCall } from '../../webConsole/brokerApi';
import type { StepUpElsewhere } from '../../webConsole/StepUpPrompt';
import { useStepUp } from '../../webConsole/useStepUp';
import { MachinesScreen } from '../MachinesScreen';
import type { Machine } from '../machinesApi';
import { broadcastTargets, type BroadcastScope } from '../store/broadcastSlice';
import type { ConsoleStore } from '../store/consoleStore';
import { DEFAULT_SETTINGS } from '../store/settingsSlice';
import { useConsoleStore } from '../store/useConsoleStore';
import type { TerminalController } from '../terminalController';
import { BroadcastBar } from './BroadcastBar';
import { BroadcastRouter, type PasteQuestion } from './broadcastRouter';
import { commandFor, type CommandId } from '../../../common/consoleCommands';
import { LabelBroadcastDialog } from './LabelBroadcastDialog';
import { panesOf } from './paneLayout';
import { PasteConfirm } from './PasteConfirm';
import { QuickOpen } from './QuickOpen';
import { SettingsDialog } from './SettingsDialog';
import { TabPanes } from './TabPanes';
import { TabStrip } from './TabStrip';
import { WorkspaceConnection } from './workspaceConnection';
import { WorkspaceRuntimeContext, type WorkspaceRuntime } from './workspaceRuntime';

export interface WorkspaceProps {
  store: ConsoleStore;
  /** The broker's origin (the page's own in the web console). */
  brokerOrigin: string;
  /** The current access token (read at each request and connection). */
  accessToken: () => string;
  mac: boolean;
  onSignInAgain(): void;
  /** Where the page cannot use passkeys itself (the desktop app): the step-up happens in the sign-in window. */
  stepUpElsewhere?: StepUpElsewhere;
  /** Menu commands from the desktop app, if any. */
  subscribeCommands?(listener: (id: CommandId) => void): Disposable;
}

const LINK_WORDS: Record<LinkState, string> = {
  connecting: 'Connecting to the broker…',
  connected: 'Connected',
  reconnecting: 'Reconnecting to the broker…',
  closed: 'Disconnected',
};

/**
 * The signed-in console: the machine list and the terminal tabs, split
 * panes and broadcast input, with the palette, settings and the step-up
 * prompt. Owns the console link and the broadcast router for as long as
 * the sign-in lasts.
 */
export function Workspace(props: WorkspaceProps) {
  const { store, brokerOrigin, accessToken, mac, onSignInAgain, subscribeCommands } = props;
  const { guard, ask, prompt } = useStepUp(accessToken(), true, props.stepUpElsewhere);
  const [pasteQuestion, setPasteQuestion] = useState<{ question: PasteQuestion; answer(send: boolean): void }>();
  const [dialog, setDialog] = useState<'palette' | 'settings' | 'label' | undefined>(undefined);
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [findingPaneId, setFindingPaneId] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const [runtime] = useState<WorkspaceRuntime>(() => {
    // Asked for every pane at every store change while broadcast is armed: indexed once per machine list.
    let indexed: { list: readonly Machine[]; byName: Map<string, Machine['labels']> } | undefined;
    const labelsOf = (machine: string) => {
      const list = store.getState().machines.list;
      if (indexed?.list !== list) indexed = { list, byName: new Map(list.map((m) => [m.name, m.labels])) };
      return indexed.byName.get(machine);
    };
    const controllers = new Map<string, TerminalController>();
    const connection = new WorkspaceConnection({
      brokerOrigin,
      accessToken,
      mintTerminalToken: async (machine) => {
        const minted = await guard(() =>
          brokerCall<{ terminalToken: string }>('/api/v1/terminal-tokens', { body: { machine }, token: accessToken() }),
        );
        if (!minted.ok) throw Object.assign(new Error(minted.error.message), { code: minted.error.code });
        return minted.value.terminalToken;
      },
    });
    const router = new BroadcastRouter({
      store,
      channelOf: (paneId) => controllers.get(paneId)?.boundChannel,
      labelsOf,
      send: (channels, data) => connection.broadcast(channels, data),
      askPaste: (question) => new Promise((resolve) => setPasteQuestion({ question, answer: resolve })),
      timers: systemTimers,
    });
    const arm = async (scope: BroadcastScope) => {
      const state = store.getState();
      const targets = broadcastTargets({ ...state, broadcast: { ...state.broadcast, scope } }, labelsOf);
      const machines = targets.map((paneId) => state.workspace.panes[paneId]?.machine ?? '');
      if (machines.length > 0) {
        const checked = await guard(() =>
          brokerCall<{ stepUp: string }>('/api/v1/broadcast/check', { body: { machines }, token: accessToken() }),
        );
        if (!checked.ok) return setNotice(`Broadcast not armed: ${checked.error.message}`);
      }
      setNotice(undefined);
      store.getState().armBroadcast(scope);
    };
    const togglePane = async (paneId: string) => {
      const state = store.getState();
      const targets = broadcastTargets(state, labelsOf);
      const paneIds = targets.includes(paneId) ? targets.filter((id) => id !== paneId) : [...targets, paneId];
      if (paneIds.length === 0) return state.disarmBroadcast();
      await arm({ kind: 'panes', paneIds });
    };
    const closePane = (paneId: string) => {
      controllers.get(paneId)?.closeSession();
      store.getState().closePane(paneId);
    };
    const closeTab = (tabId: string) => {
      const tab = store.getState().workspace.tabs.find((candidate) => candidate.id === tabId);
      for (const paneId of tab ? panesOf(tab.layout) : []) controllers.get(paneId)?.closeSession();
      store.getState().closeTab(tabId);
    };
    return { connection, router, controllers, labelsOf, arm, togglePane, closePane, closeTab };
  });
  useEffect(
    () => () => {
      runtime.router.dispose();
      runtime.connection.dispose();
    },
    [runtime],
  );

  // The broker refuses a broadcast frame that needs a step-up: ask, then the person types again.
  useEffect(() => {
    const subscription = runtime.connection.onProblem((problem) => {
      if (problem.code !== 'STEP_UP_REQUIRED') return;
      void ask(problem.message).then((confirmed) =>
        setNotice(
          confirmed ? 'Confirmed: type again to send it to every pane.' : `Broadcast refused: ${problem.message}`,
        ),
      );
    });
    return () => subscription.dispose();
  }, [runtime, ask]);

  const [linkState, setLinkState] = useState<LinkState>(runtime.connection.link.state);
  useEffect(() => {
    const subscription = runtime.connection.link.onState(setLinkState);
    return () => subscription.dispose();
  }, [runtime]);

  const tabs = useConsoleStore((state) => state.workspace.tabs);
  const activeTabId = useConsoleStore((state) => state.workspace.activeTabId);

  const openMachine = useCallback(
    (machine: Machine, beside: boolean) => {
      const state = store.getState();
      const tab = state.workspace.tabs.find((candidate) => candidate.id === state.workspace.activeTabId);
      if (beside && tab) state.splitPane(tab.activePaneId, 'row', machine.name);
      else state.openMachines([machine.name]);
    },
    [store],
  );

  const run = useCallback(
    (id: CommandId) => {
      const state = store.getState();
      const tab = state.workspace.tabs.find((candidate) => candidate.id === state.workspace.activeTabId);
      const index = tab ? state.workspace.tabs.indexOf(tab) : -1;
      switch (id) {
        case 'palette.open':
        case 'tab.new':
          return setDialog('palette');
        case 'settings.open':
          return setDialog('settings');
        case 'broadcast.byLabel':
          return setDialog('label');
        case 'machines.show':
          return state.showTab(undefined);
        case 'tab.next':
          return state.cycleTab(1);
        case 'tab.previous':
          return state.cycleTab(-1);
        case 'view.zoomIn':
        case 'view.zoomOut':
        case 'view.zoomReset': {
          const size = state.settings.fontSize;
          const next = id === 'view.zoomReset' ? DEFAULT_SETTINGS.fontSize : size + (id === 'view.zoomIn' ? 1 : -1);
          state.updateSettings({ fontSize: Math.min(32, Math.max(8, next)) });
          return;
        }
        case 'broadcast.toggleTab':
          if (state.broadcast.scope) return state.disarmBroadcast();
          return tab ? void runtime.arm({ kind: 'tab', tabId: tab.id }) : undefined;
      }
      if (!tab) return;
      switch (id) {
        case 'tab.close':
          return runtime.closeTab(tab.id);
        case 'tab.rename':
          return setRenaming(tab.id);
        case 'tab.moveLeft':
          return state.moveTab(tab.id, index - 1);
        case 'tab.moveRight':
          return state.moveTab(tab.id, index + 1);
        case 'pane.splitRight':
          return void state.splitPane(tab.activePaneId, 'row');
        case 'pane.splitDown':
          return void state.splitPane(tab.activePaneId, 'column');
        case 'pane.close':
          return runtime.closePane(tab.activePaneId);
        case 'pane.next':
          return state.cyclePane(1);
        case 'pane.previous':
          return state.cyclePane(-1);
        case 'broadcast.togglePane':
          return void runtime.togglePane(tab.activePaneId);
        case 'broadcast.excludePane':
          return state.toggleExcluded(tab.activePaneId);
        case 'terminal.find':
          return setFindingPaneId(tab.activePaneId);
      }
    },
    [store, runtime],
  );

  // Shortcuts are read before the terminal sees the key (capture phase), and only those: typing goes on.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const inTerminal = event.target instanceof Element && event.target.closest('.xterm') !== null;
      const id = commandFor(event, mac, inTerminal);
      if (!id) return;
      event.preventDefault();
      event.stopPropagation();
      run(id);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [mac, run]);

  useEffect(() => {
    const subscription = subscribeCommands?.(run);
    return () => subscription?.dispose();
  }, [subscribeCommands, run]);

  return (
    <WorkspaceRuntimeContext.Provider value={runtime}>
      <div className="workspace">
        <div className="workspace__top">
          <TabStrip renaming={renaming} onRenaming={setRenaming} onNewTab={() => setDialog('palette')} />
          <span className={`link-state link-state--${linkState}`} role="status" data-testid="link-state">
            {LINK_WORDS[linkState]}
          </span>
          <button
            type="button"
            className="icon-button"
            aria-label="Settings"
            title="Settings (Alt+Shift+,)"
            onClick={() => setDialog('settings')}
          >
            ⚙
          </button>
        </div>
        <BroadcastBar onArmByLabel={() => setDialog('label')} />
        {notice && (
          <p role="status" className="workspace__notice">
            {notice}{' '}
            <button type="button" className="button--quiet button--small" onClick={() => setNotice(undefined)}>
              Dismiss
            </button>
          </p>
        )}
        <div className="workspace__body">
          <div className="workspace__machines" hidden={activeTabId !== undefined}>
            <MachinesScreen
              onOpen={(names, mode) => {
                const opened = store.getState().openMachines(names, mode === 'broadcast' ? 'grid' : mode);
                const tabId = store.getState().workspace.activeTabId;
                if (mode === 'broadcast' && opened.length > 0 && tabId) void runtime.arm({ kind: 'tab', tabId });
              }}
              onSplit={(machine, direction) => {
                const state = store.getState();
                const last = state.workspace.tabs[state.workspace.tabs.length - 1];
                if (last) state.splitPane(last.activePaneId, direction, machine.name);
                else state.openMachines([machine.name]);
              }}
              onSignInAgain={onSignInAgain}
            />
          </div>
          {tabs.map((tab) => (
            <TabPanes
              key={tab.id}
              tab={tab}
              visible={tab.id === activeTabId}
              findingPaneId={findingPaneId}
              onFindClosed={() => setFindingPaneId(undefined)}
            />
          ))}
        </div>
        {dialog === 'palette' && (
          <QuickOpen mac={mac} onOpenMachine={openMachine} onCommand={run} onClose={() => setDialog(undefined)} />
        )}
        {dialog === 'settings' && <SettingsDialog onClose={() => setDialog(undefined)} />}
        {dialog === 'label' && <LabelBroadcastDialog onClose={() => setDialog(undefined)} />}
        {pasteQuestion && (
          <PasteConfirm
            question={pasteQuestion.question}
            onAnswer={(send) => {
              pasteQuestion.answer(send);
              setPasteQuestion(undefined);
            }}
          />
        )}
        {prompt}
      </div>
    </WorkspaceRuntimeContext.Provider>
  );
}
