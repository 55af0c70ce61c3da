import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { workerBus } from './bus';
import { registerServiceWorker } from './pwa';
import { createAppStore } from './store';
import { keepWork } from './work';
import './app.css';

const store = createAppStore(workerBus());
// Link, then saved work, then the default scenario: opened (and loaded in the worker) before the first paint.
const work = keepWork(store);
registerServiceWorker();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} work={work} />
  </StrictMode>,
);
