#pragma once

#include <QSettings>
#include <QString>

namespace rd {

// The app's preferences, in an ini file inside the data directory (never secrets).
class AppSettings
{
public:
    explicit AppSettings(const QString &dataDir);

    // "" follows the system locale; otherwise "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString &language);
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QString fileName() const { return m_settings.fileName(); }

private:
    QSettings m_settings;
};

} // namespace rd
