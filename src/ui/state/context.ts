import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { WorkKeeper } from '../saved-work/work';
import type { AppState, AppStore } from './store';

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside <StoreContext>');
  return store;
}

/** Reads one slice of the state; the component renders again only when that slice changes. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStore(), selector);
}

/** The work keeper (links, saved work, one step of undo) for the controls that open scenarios. */
export const WorkContext = createContext<WorkKeeper | null>(null);

export function useWork(): WorkKeeper {
  const work = useContext(WorkContext);
  if (!work) throw new Error('useWork outside <WorkContext>');
  return work;
}
