import { render } from 'preact';
import { Session } from './api/session';
import { App } from './App';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) render(<App session={new Session()} />, root);
