export { traceBedrock } from './trace-bedrock';
