import './noise.spec.js';
