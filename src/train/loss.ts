import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy of logits [B,K] against integer labels [B] (int32). */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const k = logits.shape[1];
  const onehot = tf.oneHot(labels, k);
  return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)).mean() as tf.Scalar;
}

/** Number of correct argmax predictions. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')) as tf.Scalar;
}
