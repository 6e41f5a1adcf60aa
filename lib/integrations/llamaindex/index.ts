export { traceLlamaIndex } from './trace-llamaindex';
