export { type NormaliseOptions, normaliseInto, normalisePacket, wirePriceToPaise } from './normalise.js';
