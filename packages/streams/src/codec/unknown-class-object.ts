/**
 * An object of a class the registry does not know, kept as it came (`unknownClasses: 'keep'`).
 *
 * It looks like the seed's encoding, with the own properties `.class`, `.version` and `.state` (its state
 * decoded, so registered objects inside it are revived), and it is encoded back exactly so: a gateway or hub
 * can relay objects of classes that only its clients (in other languages, say) know. A plain object with
 * those keys is not the same: it is a struct, and its keys are escaped like any key starting with `.`.
 */
export class UnknownClassObject {
  readonly '.class': string;
  readonly '.version': string;
  readonly '.state': unknown;

  constructor(className: string, version: string, state: unknown) {
    this['.class'] = className;
    this['.version'] = version;
    this['.state'] = state;
    Object.freeze(this);
  }
}
