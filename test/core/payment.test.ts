import './payment.spec.js';
