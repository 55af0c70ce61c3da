import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { keepWork } from './saved-work/work';
import { App } from './shell/App';
import { registerServiceWorker } from './shell/pwa';
import { workerBus } from './state/bus';
import { createAppStore } from './state/store';
import './shell/app.css';

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
