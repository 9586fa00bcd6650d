package org.gpuattest.attestor.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.gpuattest.attestor.Backends;
import org.gpuattest.kernels.cuda.CudaBackend;
import org.gpuattest.kernels.cuda.EmulatedCudaDriver;
import org.gpuattest.kernels.cuda.EmulatedGpus;

/**
 * The attestor as a prover command whose CUDA backend runs on emulated GPUs (the shipped PTX
 * in the interpreter), for 'validator attest' in end-to-end tests: {@value #GPUS} emulated
 * H100s (default 2), and with {@value #ILLEGAL_ADDRESS} = "g:k" GPU g's k-th launch faulting
 * as an illegal address. No config file is read.
 */
public final class EmulatedProverMain {
  public static final String GPUS = "gpuattest.emulated.gpus";
  public static final String ILLEGAL_ADDRESS = "gpuattest.emulated.illegalAddress";

  private EmulatedProverMain() {}

  /** Opens the CUDA backend on {@code driver}, its warnings on stderr as the real one's. */
  static Backends.CudaOpener opener(EmulatedCudaDriver driver) {
    return w -> CudaBackend.open(driver, line -> {
      w.println("attestor: " + line);
      w.flush();
    });
  }

  public static void main(String[] args) {
    EmulatedCudaDriver driver = EmulatedGpus.driver(Integer.getInteger(GPUS, 2));
    String fault = System.getProperty(ILLEGAL_ADDRESS);
    if (fault != null) {
      String[] at = fault.split(":");
      driver.injectIllegalAddress(Integer.parseInt(at[0]), Integer.parseInt(at[1]));
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    int code = AttestorCli.run(args, System.in, out, err, opener(driver),
        AttestorCliHarness.NO_CONFIG);
    out.flush();
    err.flush();
    System.exit(code);
  }
}
