export { traceMistral } from './trace-mistral';
