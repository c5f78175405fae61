import { useI18n } from '../../shared/i18n.tsx';

/** Sex as declared (optional: the registry is checked only when given), as a group of radios. */
export function SexField(props: {
  value: '' | 'male' | 'female';
  onChange(value: '' | 'male' | 'female'): void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  return (
    <fieldset
      className={props.error ? 'field field-error radios' : 'field radios'}
      aria-describedby={props.error ? 'sex-error' : undefined}
    >
      <legend>{t('cz_sex_optional')}</legend>
      {props.error && (
        <p className="error-message" id="sex-error">
          {props.error}
        </p>
      )}
      {(['male', 'female'] as const).map((sex) => (
        <div className="radio" key={sex}>
          <input
            type="radio"
            id={sex === 'male' ? 'sex' : `sex-${sex}`}
            name="sex"
            value={sex}
            checked={props.value === sex}
            onChange={() => props.onChange(sex)}
          />
          <label htmlFor={sex === 'male' ? 'sex' : `sex-${sex}`}>{t(sex === 'male' ? 'sex_male' : 'sex_female')}</label>
        </div>
      ))}
    </fieldset>
  );
}
