export {
  MAX_PAYLOAD_BYTES,
  RECORDING_MAGIC,
  RECORDING_VERSION,
  type RecordedFrame,
  type RecordingHeader,
  RecordKind,
} from './format.js';
export {
  type ReadRecordingOptions,
  readRecording,
  readRecordingHeader,
  type TruncatedTail,
} from './reader.js';
export { type ReplayOptions, type ReplaySink, ReplaySource, type ReplayStats } from './replay.js';
export { RecordingWriter, type RecordingWriterOptions, type RecordingWriterStats } from './writer.js';
