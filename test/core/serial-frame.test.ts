import './serial-frame.spec.js';
