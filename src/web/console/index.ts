export { type ConsoleConfig, type ConsolePluginOptions, consoleConfig, consolePlugin } from './plugin.js';
