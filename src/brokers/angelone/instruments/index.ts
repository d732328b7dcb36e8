export {
  ANGEL_SCRIP_MASTER_URL,
  InstrumentMasterLoader,
  type InstrumentMasterLoaderOptions,
  type LoadedMaster,
  type LoadedMasterRows,
  type MasterDownloadProgress,
  type MasterSource,
} from './loader.js';
export { type ScripRow, convertScripRow, parseScripMaster, scripRowSchema } from './master.js';
export { type ChainStrike, InstrumentStore, type OptionChainInstruments } from './store.js';
