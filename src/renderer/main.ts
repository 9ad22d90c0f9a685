import { mount } from 'svelte';
import App from './App.svelte';
import { AppState } from './lib/app-state.svelte';
import { createApi } from './lib/transport';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { app: new AppState(createApi()) } });
