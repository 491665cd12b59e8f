import { mount } from 'svelte';
import './styles.css';
import App from './App.svelte';
import { i18n, setLang } from './i18n/index.svelte';

setLang(i18n.lang);
mount(App, { target: document.getElementById('app') as HTMLElement });
