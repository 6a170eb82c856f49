export { loadDevEnv } from './dev-env';
