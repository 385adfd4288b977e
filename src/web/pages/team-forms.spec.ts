import { declarationInput, declarationProblems, splitDeclarations } from './team-forms';

describe('the team’s one "add" form: what the role declares', () => {
  const form = {
    name: 'Dana Grant',
    email: 'dana.grant@essex.police.uk',
    role: 'panel_member',
    agencyId: '6f1c2a4e-0000-4000-8000-000000000001',
    roleInAgency: 'Detective Inspector',
    startedOn: '2026-03-01',
  };

  it('splits the membership from the declarations, and makes a panel place (declaration unticked: false, for the schema to refuse)', () => {
    const { member, declared } = splitDeclarations(form);
    expect(member).toEqual({ name: 'Dana Grant', email: 'dana.grant@essex.police.uk', role: 'panel_member', agencyId: form.agencyId });
    expect(declarationInput(member.role, member, declared, 'Dana Grant', '2026-03-16')).toEqual({
      kind: 'panel',
      input: { name: 'Dana Grant', agencyId: form.agencyId, role: 'Detective Inspector', email: form.email, joinedOn: '2026-03-01', noDirectCaseManagementDeclared: false },
    });
  });

  it('makes an appointment for the chair when the organisation is given (today if no date), and nothing when the role declares nothing here', () => {
    const chair = splitDeclarations({ name: 'Nadia Chowdhury', email: 'n@x.example', role: 'chair', organisation: 'Independent Reviews Ltd', independenceStatement: 'None.' });
    expect(declarationInput('chair', chair.member, chair.declared, 'Nadia Chowdhury', '2026-03-16')).toEqual({
      kind: 'appointment',
      input: { role: 'chair', name: 'Nadia Chowdhury', organisation: 'Independent Reviews Ltd', email: 'n@x.example', appointedOn: '2026-03-16', independenceStatement: 'None.' },
    });
    const bare = splitDeclarations({ email: 'n@x.example', role: 'chair' });
    expect(declarationInput('chair', bare.member, bare.declared, 'Nadia Chowdhury', '2026-03-16')).toBeNull();
    const author = splitDeclarations({ email: 'a@x.example', role: 'imr_author', roleInAgency: 'Analyst' });
    expect(declarationInput('imr_author', author.member, author.declared, 'A', '2026-03-16')).toBeNull();
  });

  it('puts the appointment’s and panel schema’s refusals on this form’s fields', () => {
    expect(
      declarationProblems([
        { field: 'joinedOn', message: 'must not be in the future' },
        { field: 'role', message: 'must be at most 200 characters' },
        { field: 'noDirectCaseManagementDeclared', message: 'must be true: someone who managed the case directly cannot sit on the panel' },
      ]),
    ).toEqual([
      { field: 'startedOn', message: 'must not be in the future' },
      { field: 'roleInAgency', message: 'must be at most 200 characters' },
      { field: 'noDirectCaseManagementDeclared', message: 'is required for a panel member' },
    ]);
  });
});
