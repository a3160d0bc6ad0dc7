"""Quality: sacrebleu metrics and term accuracy (scoring), corpus evaluation, and report writers."""
