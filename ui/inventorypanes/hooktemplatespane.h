#pragma once

#include "inventory/hooktemplate.h"
#include "inventorypanes/inventorypane.h"

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace rd {

class HookTemplateTableModel;

class HookTemplatesPane : public InventoryPane
{
    Q_OBJECT

public:
    explicit HookTemplatesPane(InventoryStore &store, QWidget *parent = nullptr);

    void reload() override;
    int itemCount() const override;

protected:
    QList<Error> validateForm() const override;
    void loadForm(qint64 id) override;
    Result<qint64> saveForm(qint64 id) override;
    Result<> removeItem(qint64 id) override;

private:
    HookTemplate formHook() const;

    HookTemplateTableModel *m_hooks;
    QLineEdit *m_title;
    QComboBox *m_stage;
    QPlainTextEdit *m_script;
};

} // namespace rd
