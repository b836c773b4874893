//! Generic XML to value (stub until written).
