import './payment-hostile.spec.js';
