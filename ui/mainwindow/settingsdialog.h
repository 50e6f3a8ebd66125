#pragma once

#include <QDialog>

class QComboBox;

namespace rd {

class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    // `language` as stored in the settings: "" (system), "en" or "zh_CN".
    SettingsDialog(const QString &language, const QString &dataDir, QWidget *parent = nullptr);
    QString language() const;

private:
    QComboBox *m_language;
};

} // namespace rd
