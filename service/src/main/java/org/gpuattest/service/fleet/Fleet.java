package org.gpuattest.service.fleet;

import java.util.List;
import java.util.Optional;

/**
 * A checked fleet file ({@link FleetFile}): the providers to attest, each name once, in the
 * file's order.
 *
 * @param source where it was read from, for messages
 */
public record Fleet(String source, List<Provider> providers) {
  public Fleet {
    providers = List.copyOf(providers);
  }

  public Optional<Provider> find(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
