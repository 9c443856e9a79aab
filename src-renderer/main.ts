// The renderer's entry: connect (preload bridge or socket) and mount the app.
import { mount } from 'svelte';
import App from './App.svelte';
import { connect } from './lib/client/index.js';
import './style.css';

mount(App, { target: document.getElementById('app')!, props: { client: connect(window) } });
