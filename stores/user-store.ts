import { makeAutoObservable } from 'mobx';
import type { User } from '@/lib/api-types';
import type { RootStore } from './root-store';
import { applyTheme, type Theme } from './theme';


/** The signed-in user and their UI preferences (the theme). */
export class UserStore {
  user: User | null = null;
  theme: Theme = 'dark';
  authProvider: 'local' | 'clerk' = 'local';
  /** The realtime connection, for the offline banner. */
  connection: 'connecting' | 'online' | 'offline' = 'connecting';

  constructor(private readonly root: RootStore, initialTheme: Theme = 'dark') {
    this.theme = initialTheme;
    makeAutoObservable<UserStore, 'root'>(this, { root: false });
  }

  /** Switches the signed-in user: a different person starts from an empty cache and their own outbox. */
  setUser(user: User | null) {
    const changed = this.user?.id !== user?.id;
    this.user = user;
    if (!changed) return;
    this.root.queryClient.clear();
    if (user) this.root.messages.persistFor(user.id);
    else this.root.messages.clearOutbox();
  }

  setConnection(state: 'connecting' | 'online' | 'offline') {
    this.connection = state;
  }

  toggleTheme() {
    this.setTheme(this.theme === 'dark' ? 'light' : 'dark');
  }

  setTheme(theme: Theme) {
    this.theme = theme;
    applyTheme(theme);
  }

  async signIn(input: { email: string; password: string }) {
    const { data } = await this.root.http.post<{ user: User }>('/api/auth/sign-in', input);
    this.setUser(data.user);
    return data.user;
  }

  async signUp(input: { name: string; email: string; password: string }) {
    const { data } = await this.root.http.post<{ user: User }>('/api/auth/sign-up', input);
    this.setUser(data.user);
    return data.user;
  }

  async signOut() {
    await this.root.http.post('/api/auth/sign-out');
    this.setUser(null);
  }
}
