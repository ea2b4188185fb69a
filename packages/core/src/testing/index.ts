export { startTestApp, type TestApp } from './startTestApp.js';
