import { mount } from 'svelte';
import '../styles.css';
import './console.css';
import Console from './Console.svelte';

document.documentElement.lang = 'es-MX';
mount(Console, { target: document.getElementById('app') as HTMLElement });
