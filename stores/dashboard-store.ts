import { makeAutoObservable } from 'mobx';
import type { RootStore } from './root-store';

export type UsageRange = '24h' | '7d' | '30d';

/** Client state of the dashboard: the chosen usage range. Usage data itself arrives with the API issue. */
export class DashboardStore {
  range: UsageRange = '24h';

  constructor(private readonly root: RootStore) {
    makeAutoObservable<DashboardStore, 'root'>(this, { root: false });
  }

  setRange(range: UsageRange) {
    this.range = range;
  }
}
