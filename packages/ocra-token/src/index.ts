export { respond, usage } from './token';
