@0xc5d1a2f3b4e60718;
# Placeholder until the codec lands.
struct Envelope {
  sequence @0 :UInt64;
}
