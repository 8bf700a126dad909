import { domAnimation } from 'motion/react';

// Loaded after the page by LazyMotion (reveal.tsx): animations, hover and in-view, not drag or layout.
export default domAnimation;
