import { SegmentedControl } from "@mantine/core";
import { useI18n } from "../i18n/useI18n";
import { LANGS, type Lang } from "../i18n/messages";

export function LanguageSwitch() {
  const i18n = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={i18n.t("app.language")}
      value={i18n.lang}
      onChange={(value) => i18n.setLang(value as Lang)}
      data={LANGS.map((lang) => ({
        value: lang,
        label: <span lang={lang}>{i18n.t(`app.lang.${lang}`)}</span>,
      }))}
    />
  );
}
