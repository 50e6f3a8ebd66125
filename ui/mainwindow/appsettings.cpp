#include "appsettings.h"

#include <QDir>

namespace rd {

AppSettings::AppSettings(const QString &dataDir)
    : m_settings(QDir(dataDir).filePath(QStringLiteral("releasedesk.ini")), QSettings::IniFormat)
{
}

QString AppSettings::language() const
{
    return m_settings.value(QStringLiteral("ui/language")).toString();
}

void AppSettings::setLanguage(const QString &language)
{
    m_settings.setValue(QStringLiteral("ui/language"), language);
    m_settings.sync();
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("ui/windowGeometry")).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(QStringLiteral("ui/windowGeometry"), geometry);
    m_settings.sync();
}

} // namespace rd
