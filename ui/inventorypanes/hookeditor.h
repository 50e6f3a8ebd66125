#pragma once

#include "inventory/hooktemplate.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace rd {

class InventoryStore;

// One stage's hook in the release form: start from a template, edit it in place, or keep the edit
// as a new template (which needs a name).
class HookEditor : public QWidget
{
    Q_OBJECT

public:
    HookEditor(InventoryStore &store, HookStage stage, QWidget *parent = nullptr);

    void reloadTemplates();
    QString script() const;
    void setScript(const QString &script);
    HookStage stage() const { return m_stage; }
    // Saves the script under `title`; empty title or script is refused under the field.
    bool saveAsTemplate(const QString &title);

signals:
    void templatesChanged();

private:
    void chooseTemplate(int index);
    void askAndSave();

    InventoryStore &m_store;
    HookStage m_stage;
    QComboBox *m_templates;
    QPlainTextEdit *m_script;
    QPushButton *m_save;
    QLabel *m_error;
};

} // namespace rd
