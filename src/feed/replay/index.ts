export {
  type RecordingReplayOptions,
  type ReplayOutput,
  replayRecording,
  replayStoredTicks,
  type StoredTickReplayOptions,
} from './replay.js';
