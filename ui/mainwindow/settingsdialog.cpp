#include "settingsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace rd {

SettingsDialog::SettingsDialog(const QString &language, const QString &dataDir, QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 20, 20, 16);
    layout->setSpacing(12);

    m_language = new QComboBox;
    m_language->setObjectName(QStringLiteral("languageComboBox"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(qMax(0, m_language->findData(language)));

    auto *data = new QLabel(dataDir);
    data->setTextInteractionFlags(Qt::TextSelectableByMouse);
    data->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Language"), m_language);
    form->addRow(tr("Data directory"), data);
    layout->addLayout(form);
    auto *note = new QLabel(tr("The --lang option, when given, overrides the language chosen here."));
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

QString SettingsDialog::language() const
{
    return m_language->currentData().toString();
}

} // namespace rd
