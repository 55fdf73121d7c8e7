import './pairing.spec.js';
