import './identity.spec.js';
