export { type RecordingReplayOptions, type ReplayOutput, replayRecording } from './replay.js';
