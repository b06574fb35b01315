import { describe, expect, it } from 'vitest';
import { workspaceStore } from '../testing/workspaceStore';
import { broadcastReceivers, broadcastTargets, describeScope } from './broadcastSlice';

const LABELS: Record<string, Record<string, string>> = {
  'web-1': { env: 'prod', role: 'web' },
  'web-2': { env: 'staging', role: 'web' },
  'db-1': { env: 'prod', role: 'db' },
};
const labelsOf = (machine: string) => LABELS[machine];

function fleetStore() {
  const store = workspaceStore();
  const [web1, web2] = store.getState().openMachines(['web-1', 'web-2'], 'grid');
  const [db1] = store.getState().openMachines(['db-1']);
  return { store, web1: web1!, web2: web2!, db1: db1! };
}

describe('the broadcast slice', () => {
  it('targets every pane of a tab', () => {
    const { store, web1, web2 } = fleetStore();
    const tabId = store.getState().workspace.tabs[0]!.id;
    store.getState().armBroadcast({ kind: 'tab', tabId });
    expect(broadcastTargets(store.getState(), labelsOf)).toEqual([web1, web2]);
    expect(describeScope(store.getState().broadcast.scope!, () => 'web')).toBe('all panes of tab web');
  });

  it('targets chosen panes across tabs, and disarms when the last is taken out', () => {
    const { store, web2, db1 } = fleetStore();
    store.getState().toggleBroadcastPane(db1);
    store.getState().toggleBroadcastPane(web2);
    expect(broadcastTargets(store.getState(), labelsOf)).toEqual([web2, db1]);
    store.getState().toggleBroadcastPane(web2);
    store.getState().toggleBroadcastPane(db1);
    expect(store.getState().broadcast.scope).toBeUndefined();
  });

  it('targets panes whose machine matches a selector, including panes opened after arming', () => {
    const { store, web1, db1 } = fleetStore();
    store.getState().armBroadcast({ kind: 'selector', selector: { env: 'prod' } });
    expect(broadcastTargets(store.getState(), labelsOf)).toEqual([web1, db1]);
    const [later] = store.getState().openMachines(['db-1']);
    expect(broadcastTargets(store.getState(), labelsOf)).toEqual([web1, db1, later]);
  });

  it('leaves excluded panes out of the receivers, and arming again clears the exclusions', () => {
    const { store, web1, web2 } = fleetStore();
    const tabId = store.getState().workspace.tabs[0]!.id;
    store.getState().armBroadcast({ kind: 'tab', tabId });
    store.getState().toggleExcluded(web2);
    expect(broadcastReceivers(store.getState(), labelsOf)).toEqual([web1]);
    store.getState().toggleExcluded(web2);
    expect(broadcastReceivers(store.getState(), labelsOf)).toEqual([web1, web2]);
    store.getState().toggleExcluded(web1);
    store.getState().armBroadcast({ kind: 'tab', tabId });
    expect(store.getState().broadcast.excluded).toEqual([]);
  });

  it('says why it disarmed by itself, and forgets it once armed again', () => {
    const { store } = fleetStore();
    store.getState().armBroadcast({ kind: 'selector', selector: { role: 'web' } });
    store.getState().disarmBroadcast('no input for 5 minutes');
    expect(store.getState().broadcast).toEqual({
      scope: undefined,
      excluded: [],
      disarmedBecause: 'no input for 5 minutes',
    });
    store.getState().armBroadcast({ kind: 'selector', selector: { role: 'web' } });
    expect(store.getState().broadcast.disarmedBecause).toBeUndefined();
  });
});
