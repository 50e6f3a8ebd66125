#pragma once

#include <QString>
#include <QTranslator>

namespace rd {

// Installs ReleaseDesk's own translation (from the core library's ":/i18n/" resources) and Qt's
// qtbase translation for one language, replacing whatever was installed before.
class TranslationLoader
{
public:
    TranslationLoader() = default;
    ~TranslationLoader();
    TranslationLoader(const TranslationLoader &) = delete;
    TranslationLoader &operator=(const TranslationLoader &) = delete;

    // The language to use: the command line wins, then the setting, then the system locale.
    static QString choose(const QString &commandLine, const QString &setting);
    static QStringList available();
    // True when ReleaseDesk's own messages for `language` were found.
    bool install(const QString &language);

private:
    void uninstall();

    QTranslator m_app;
    QTranslator m_qt;
    bool m_appInstalled = false;
    bool m_qtInstalled = false;
};

} // namespace rd
