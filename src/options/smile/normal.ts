// The smile's delta maths uses the same accurate normal CDF as the IV solver (Cody's erfc), not a copy.
export { normCdf } from '../iv/normal.js';
