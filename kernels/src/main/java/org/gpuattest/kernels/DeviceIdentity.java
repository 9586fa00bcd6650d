package org.gpuattest.kernels;

/** Who a device says it is, as its driver reports it (for the CPU backend, synthetic). */
public record DeviceIdentity(
    String name,
    String uuid,
    String pciBusId,
    String computeCapability,
    int smCount,
    long memoryBytes,
    String driverVersion) {}
