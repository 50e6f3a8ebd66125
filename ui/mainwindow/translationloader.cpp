#include "translationloader.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>

namespace rd {

TranslationLoader::~TranslationLoader()
{
    uninstall();
}

QStringList TranslationLoader::available()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString TranslationLoader::choose(const QString &commandLine, const QString &setting)
{
    if (available().contains(commandLine))
        return commandLine;
    if (available().contains(setting))
        return setting;
    const QLocale system;
    if (system.language() == QLocale::Chinese)
        return QStringLiteral("zh_CN");
    return QStringLiteral("en");
}

void TranslationLoader::uninstall()
{
    if (m_appInstalled)
        QCoreApplication::removeTranslator(&m_app);
    if (m_qtInstalled)
        QCoreApplication::removeTranslator(&m_qt);
    m_appInstalled = m_qtInstalled = false;
}

bool TranslationLoader::install(const QString &language)
{
    uninstall();
    if (m_app.load(QStringLiteral("releasedesk_") + language, QStringLiteral(":/i18n/")))
        m_appInstalled = QCoreApplication::installTranslator(&m_app);
    if (language != u"en"
        && m_qt.load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        m_qtInstalled = QCoreApplication::installTranslator(&m_qt);
    QLocale::setDefault(QLocale(language));
    return m_appInstalled;
}

} // namespace rd
