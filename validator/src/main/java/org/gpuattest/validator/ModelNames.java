package org.gpuattest.validator;

import java.text.Normalizer;
import java.util.Locale;

/**
 * When two GPU model names an operator typed are the same model: they differ only in case, in
 * white space (leading, trailing, repeated, or a no-break space), in invisible characters
 * (zero-width spaces and joiners, soft hyphens, byte-order marks, direction marks, variation
 * selectors, control characters) or in Unicode compatibility forms (NFKC: full-width letters).
 * A profile file whose "new" model is such a near-duplicate of a known one is refused, naming
 * the model it collides with: taken as a new model, it would leave the known one's figures in
 * force, and the operator's corrected rate would never apply (docs/protocol.md section 8.6). A
 * challenge's model must still equal a profile's exactly, as the driver spells it.
 */
final class ModelNames {
  /** How a refusal says what was ignored. */
  static final String IGNORING = "once case, spaces and invisible characters are ignored";

  private ModelNames() {}

  /** The name as compared: NFKC, invisible characters dropped, spaces single, case folded. */
  static String key(String model) {
    String nfkc = Normalizer.normalize(model, Normalizer.Form.NFKC);
    StringBuilder key = new StringBuilder(nfkc.length());
    boolean space = false;
    for (int i = 0; i < nfkc.length(); ) {
      int cp = nfkc.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        space = true;
      } else if (!invisible(cp)) {
        if (space && key.length() > 0) {
          key.append(' ');
        }
        space = false;
        key.appendCodePoint(cp);
      }
    }
    // Upper then lower case folds more than lower case alone ('ß' and 'SS' meet at "ss").
    return key.toString().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  private static boolean invisible(int cp) {
    int type = Character.getType(cp);
    return type == Character.FORMAT || type == Character.CONTROL
        || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
  }
}
