import './app-payment.spec.js';
